"""测 at the river: automatic water-quality stations, their 4-hourly readings, assessment, alerts."""
