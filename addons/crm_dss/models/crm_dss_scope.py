from odoo import api, models
from odoo.exceptions import AccessError

from ..lib.periods import day_bounds
from ..lib.scope import EXECUTIVE, MANAGER, Scope


class CrmDssScope(models.AbstractModel):
    """Resolves what the current user may see in decision support (``lib.scope.Scope``).

    Every dashboard, report, statement and alert reader takes a scope from here and
    filters its superuser aggregates on it with :meth:`_dss_domain`.
    """

    _name = "crm.dss.scope"
    _description = "Decision Support Scope"

    @api.model
    def _dss_scope(self, company_ids=None, department_id=None):
        """The scope of the current user, narrowed to ``company_ids`` and ``department_id``.

        :param company_ids: companies asked for; default the companies the user works in
            now (``self.env.companies``); each must be one the user may access
        :param department_id: a department asked for; executives may pick any of their
            companies', managers only theirs or one under it
        :raise AccessError: the user is not a manager or an executive, or asks for a company
            or department outside what they may see
        """
        user = self.env.user
        if not user.has_group("crm_dss.group_crm_dss_manager"):
            raise AccessError(self.env._("Only department managers and executives see decision support figures."))
        allowed = user.company_ids
        companies = self.env.companies if company_ids is None else self.env["res.company"].browse(company_ids).exists()
        if (company_ids is not None and len(companies) != len(set(company_ids))) or companies - allowed:
            raise AccessError(self.env._("You may only see the figures of the companies you work for."))
        Department = self.env["hr.department"].sudo()  # sudo: department trees are read to scope, not shown
        executive = user.has_group("crm_dss.group_crm_dss_executive")
        if executive:
            if not department_id:
                return Scope(EXECUTIVE, tuple(sorted(companies.ids)))
            departments = Department.search([("id", "child_of", department_id)])
            if departments[:1].company_id and departments[:1].company_id not in allowed:
                raise AccessError(self.env._("You may only see the departments of the companies you work for."))
        else:
            own = user.employee_ids.department_id
            departments = Department.search([("id", "child_of", own.ids)]) if own else Department
            if department_id:
                if department_id not in departments.ids:
                    raise AccessError(self.env._("You may only see your own department and those under it."))
                departments = Department.search([("id", "child_of", department_id)])
            department_companies = departments.company_id
            if department_companies:
                companies &= department_companies
        employees = (
            self.env["hr.employee"]
            .sudo()
            .search(  # sudo: staff of the department, read to scope
                [("department_id", "in", departments.ids)]
            )
        )
        return Scope(
            EXECUTIVE if executive else MANAGER,
            tuple(sorted(companies.ids)),
            tuple(sorted(departments.ids)),
            tuple(sorted(employees.user_id.ids)),
        )

    @api.model
    def _dss_domain(self, scope, company_field="company_id", user_field=None):
        """The domain that limits a model's records to ``scope``.

        :param company_field: the records' company field (None: not filtered by company)
        :param user_field: the field naming the responsible user (salesperson, agent);
            None: the records are not split by department (then a department scope sees
            nothing of them, never everything)
        """
        domain = []
        if company_field:
            domain.append((company_field, "in", list(scope.company_ids)))
        if not scope.whole_companies:
            domain.append((user_field, "in", list(scope.user_ids)) if user_field else ("id", "=", 0))
        return domain

    @api.model
    def _dss_installed(self, model_name):
        """Whether the add-on that records ``model_name`` is installed (its section shows)."""
        return model_name in self.env

    @api.model
    def _dss_day_bounds(self, date_from, date_to):
        """``(start, stop)`` in UTC of the days ``date_from`` to ``date_to`` as the caller lives
        them (their time zone): datetimes of those days are ``start <= value < stop``."""
        return day_bounds(date_from, date_to, self.env.context.get("tz") or self.env.user.tz)
