"""Who sees which figures: the scope of a dashboard, a report or an alert.

The decision level (executives) sees every company it may access, HQ and branches; the
management level (department managers) its department and the departments under it,
within its companies. A scope is resolved once per request by ``crm.dss.scope`` and then
handed, as plain data, to every reader, which filters on it explicitly: the readers
aggregate as superuser (figures cover documents a manager may not open one by one), so
the scope is the only thing that limits them and the caller cannot widen it.
"""

from dataclasses import dataclass

EXECUTIVE = "executive"
MANAGER = "manager"


@dataclass(frozen=True)
class Scope:
    """The companies, departments and users whose figures a caller may see.

    ``department_ids`` and ``user_ids`` are None at the decision level without a chosen
    department (everyone in ``company_ids``); otherwise the department subtree and the
    users of its employees. ``user_ids`` may then be empty: a department without staff
    has no figures, it does not fall back to everyone.
    """

    level: str
    company_ids: tuple
    department_ids: tuple | None = None
    user_ids: tuple | None = None

    @property
    def whole_companies(self):
        """Whether the figures cover the companies as a whole (no department filter)."""
        return self.user_ids is None
