"""Technical assistance: a region asks the CAN for help, and hears of every step until it is closed."""
