"""Package data: division codes and plan files."""
