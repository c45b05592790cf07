"""What goes out: reports, files, safe text and the terminal rules."""
