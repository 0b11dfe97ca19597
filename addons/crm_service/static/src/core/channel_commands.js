/** @odoo-module */

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

// The live chat operator's /case command: discuss.channel.execute_command_case
registry.category("discuss.channel_commands").add("case", {
    channel_types: ["livechat"],
    help: _t("Turn this chat into a service case (/case subject)"),
    methodName: "execute_command_case",
});
