from urllib.parse import quote

from odoo.tests import HttpCase, no_retry, tagged

from odoo.addons.web.tests.test_js import unit_test_error_checker

# The describe() of static/tests/diagram_geometry.test.js. Quoted, hoot matches it exactly
# (unquoted, it matches loosely and could pick other modules' tests too).
GEOMETRY_SUITE = quote('"crm_workflow diagram geometry"')


@tagged("post_install", "-at_install")
class TestDiagramGeometryJs(HttpCase):
    """The hoot unit tests of the diagram's geometry, run in headless Chromium the way Odoo
    runs its own (web/tests/test_js.py). A failing JS test fails this test; so does a filter
    that matches none (hoot stops with "no tests to run" and the browser times out)."""

    @no_retry
    def test_diagram_geometry(self):
        self.browser_js(
            f"/web/tests?headless&loglevel=2&preset=desktop&timeout=15000&filter={GEOMETRY_SUITE}",
            "",
            "",
            login="admin",
            timeout=120,
            success_signal="[HOOT] Test suite succeeded",
            error_checker=unit_test_error_checker,
        )
