from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _crm_workflow_manager(self, company=None):
        """The user's manager, the one lookup of the suite: the manager of their employee (in
        ``company`` when given, else their first), else their department's manager; never
        the user themself. Empty when there is none."""
        # sudo: the hierarchy is read whatever employees the current user may read
        employees = self.sudo().employee_ids
        employee = (company and employees.filtered(lambda e: e.company_id == company)[:1]) or employees[:1]
        manager = (employee.parent_id or employee.department_id.manager_id).user_id
        return (manager - self).with_env(self.env)
