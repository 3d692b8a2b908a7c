"""Domain rules, validation and queries. Each function takes a keyword-only session and
returns models or plain data; the caller (a CLI command) owns the transaction. Nothing here
imports Typer or Rich, and nothing prints."""
