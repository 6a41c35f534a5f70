"""The `loket` command (typer + rich): operators' and developers' entry to everything."""
