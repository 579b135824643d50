"""Reading, roles, profiling and the engines: what the checks read."""
