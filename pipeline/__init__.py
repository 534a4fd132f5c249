"""The core pipeline: read, classify, find the compound and its gates, number, write."""
