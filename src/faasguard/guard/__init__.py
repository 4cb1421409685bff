"""faasguard.guard: runtime protection inside a function (standard library only at import)."""
