from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _crm_workflow_manager(self):
        """The user's manager: their employee's manager, else their department's manager."""
        employee = self.employee_ids[:1]
        return (employee.parent_id or employee.department_id.manager_id).user_id
