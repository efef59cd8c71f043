"""Per-request DataLoaders for scattered lookups; created in get_context."""
from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from server.db import Sessions
from server.graphql.dataloaders.reference import district_loader, river_loader
from server.graphql.dataloaders.users import user_loader


@dataclass
class Loaders:
    district: DataLoader
    river: DataLoader
    user: DataLoader
    records: dict = field(default_factory=dict)

    def __getattr__(self, name):  # the loaders of records.py and lifecycle.py, by name
        try:
            return self.__dict__["records"][name]
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def create(cls, db: Sessions) -> "Loaders":
        from server.graphql.dataloaders import lifecycle, records

        return cls(district=district_loader(db), river=river_loader(db), user=user_loader(db),
                   records={**records.make(db), **lifecycle.make(db)})
