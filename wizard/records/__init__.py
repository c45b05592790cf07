"""What is kept between runs: session history and profiles."""
