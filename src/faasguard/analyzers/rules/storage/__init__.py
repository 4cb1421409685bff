"""Data stores and event sources that feed functions (FG-DATA-0xx): buckets, queues, topics, tables."""
