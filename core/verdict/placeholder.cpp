// replaced when this library gets its first unit
