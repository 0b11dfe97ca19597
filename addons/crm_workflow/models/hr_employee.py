from odoo import api, models

# Record rules of the suite read the department of the current user through
# ``user.employee_ids``, and Odoo caches the rules' domains per user: a change of
# who sits in which department must drop that cache.
RULE_FIELDS = {"user_id", "department_id", "company_id", "active"}


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    @api.model_create_multi
    def create(self, vals_list):
        employees = super().create(vals_list)
        if any(vals.get("user_id") for vals in vals_list):
            self.env.registry.clear_cache()
        return employees

    def write(self, vals):
        result = super().write(vals)
        if RULE_FIELDS.intersection(vals):
            self.env.registry.clear_cache()
        return result
