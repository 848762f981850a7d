"""Image bytes in, the pixels each model can use out: sniff, intake, encode, geometry, profiles."""
