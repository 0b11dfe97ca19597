from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

SUITE_MODULES = ["crm_workflow", "crm_sfa", "crm_marketing", "crm_service", "crm_eai", "crm_dss"]


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """Every term a module adds is in its .pot and translated in its zh_CN.po."""

    def _terms(self, module):
        reader = TranslationModuleReader(self.env.cr, modules=[module])
        return {source for _module, _type, _name, _res_id, source, _value, _comments in reader}

    def _catalog(self, module, filename):
        path = Path(get_module_path(module)) / "i18n" / filename
        self.assertTrue(path.exists(), f"{module} ships no i18n/{filename}")
        return polib.pofile(str(path))

    def test_pot_lists_every_term(self):
        for module in SUITE_MODULES:
            with self.subTest(module=module):
                pot_terms = {entry.msgid for entry in self._catalog(module, f"{module}.pot")}
                missing = sorted(self._terms(module) - pot_terms)
                self.assertFalse(missing, f"{module}.pot lacks terms (run scripts/suite.py i18n): {missing[:10]}")

    def test_zh_cn_translates_every_term(self):
        for module in SUITE_MODULES:
            with self.subTest(module=module):
                translated = {entry.msgid for entry in self._catalog(module, "zh_CN.po") if entry.msgstr.strip()}
                missing = sorted(self._terms(module) - translated)
                self.assertFalse(missing, f"{module}/i18n/zh_CN.po lacks translations for: {missing[:10]}")
