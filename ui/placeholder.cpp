// replaced by the first ui unit
