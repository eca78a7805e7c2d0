"""What the ticket generator needs to know about the desk it fills: ids and names of the team
and the taxonomy, as plain data (read from the database once, before the load)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Named:
    """A row as timeline events name it: {"id": …, "name": …}."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class StaffRef:
    id: int
    name: str
    gender: str
    languages: tuple[str, ...] = ()
    group_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class CategoryRef:
    id: int
    name: str
    group: Named | None  # the category's default group


@dataclass
class Desk:
    admin: StaffRef
    agents: list[StaffRef]
    managers: list[StaffRef]
    collaborators: list[StaffRef]
    default_group: Named
    groups: dict[str, Named]  # by name
    categories: dict[str, CategoryRef]  # by demo category key
    fallback_category: CategoryRef
    priorities: dict[int, Named]  # by rank
    labels: dict[str, Named]  # by demo status label key
    tags: dict[str, int]  # name → id
    # Agents by group id, and by (group id, language) for those who answer in it.
    agents_by_group: dict[int, list[StaffRef]] = field(default_factory=dict)
    speakers: dict[tuple[int, str], list[StaffRef]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for agent in self.agents:
            for group_id in agent.group_ids:
                self.agents_by_group.setdefault(group_id, []).append(agent)
                for language in agent.languages:
                    self.speakers.setdefault((group_id, language), []).append(agent)
