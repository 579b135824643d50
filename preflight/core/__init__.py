"""The plain pieces every layer uses: findings, config, errors, selection, escaping, outputs."""
