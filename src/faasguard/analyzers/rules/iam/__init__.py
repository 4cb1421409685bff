"""IAM as declared (FG-IAM-0xx): wildcards, shared roles, managed policies, policy templates."""
