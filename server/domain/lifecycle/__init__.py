"""The outfall's life under Order 35 and the HJ guides (issue 19 items 3-8); rules in
server/reference/lifecycle.json."""
