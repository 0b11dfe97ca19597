from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmServiceArticleCategory(models.Model):
    """A chapter of the knowledge base (Printers > Network), shared by every company
    when it has none."""

    _name = "crm.service.article.category"
    _description = "Knowledge Base Category"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "sequence, complete_name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True, store=True)
    parent_id = fields.Many2one(
        "crm.service.article.category",
        string="Parent Category",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("crm.service.article.category", "parent_id", string="Sub-categories")
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to share the category with every company.",
    )
    article_ids = fields.One2many("crm.service.article", "category_id", string="Articles")
    article_count = fields.Integer(string="Number of Articles", compute="_compute_article_count")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = f"{category.parent_id.complete_name} / {category.name}"
            else:
                category.complete_name = category.name

    def _compute_article_count(self):
        # the articles the reader may open, in each category and its sub-categories: one
        # grouped count, summed along the parent paths
        groups = self.env["crm.service.article"]._read_group(
            [("category_id", "child_of", self._origin.ids)], ["category_id"], ["__count"]
        )
        for category in self:
            path = category._origin.parent_path
            category.article_count = (
                sum(count for subcategory, count in groups if subcategory.parent_path.startswith(path)) if path else 0
            )

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A category cannot be inside itself: choose another parent category."))

    def action_view_articles(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_service.crm_service_article_action")
        action["domain"] = [("category_id", "child_of", self.id)]
        action["context"] = {"default_category_id": self.id}
        return action
