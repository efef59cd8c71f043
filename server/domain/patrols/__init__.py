"""Patrols (巡河): an inspector's walk along a river, recorded as a GPS track."""
