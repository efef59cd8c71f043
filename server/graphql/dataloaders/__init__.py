"""Per-request DataLoaders for scattered lookups; created in get_context."""
from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from server.db import Database
from server.graphql.dataloaders.reference import district_loader, river_loader
from server.graphql.dataloaders.users import user_loader


@dataclass
class Loaders:
    district: DataLoader
    river: DataLoader
    user: DataLoader

    @classmethod
    def create(cls, db: Database) -> "Loaders":
        return cls(district=district_loader(db), river=river_loader(db), user=user_loader(db))
