"""mou: track partnership programmes that run on a Memorandum of Understanding."""

__version__ = "0.1.0"
