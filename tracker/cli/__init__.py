"""The command line: parse, call a service, render. Modules here import the storage layer only
inside command bodies, so ``mou --help`` and completion stay quick."""
