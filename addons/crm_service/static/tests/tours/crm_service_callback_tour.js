import { registry } from "@web/core/registry";

/** Tomorrow at 10:00, as an <input type="datetime-local"> holds it. */
function tomorrowAtTen() {
    const day = new Date(Date.now() + 24 * 60 * 60 * 1000);
    const pad = (number) => String(number).padStart(2, "0");
    return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}T10:00`;
}

registry.category("web_tour.tours").add("crm_service_callback_tour", {
    url: "/service/callback",
    steps: () => [
        {
            content: "The call-back form is open",
            trigger: "form.o_crm_service_callback_form",
        },
        {
            content: "Give a name",
            trigger: "#crm_service_callback_name",
            run: "edit Tour Visitor",
        },
        {
            content: "Give the number to call",
            trigger: "#crm_service_callback_phone",
            run: "edit +86 139 1234 5678",
        },
        {
            content: "Pick a time tomorrow",
            trigger: "#crm_service_callback_time",
            // a datetime-local input takes a whole value, not keystrokes
            run() {
                this.anchor.value = tomorrowAtTen();
                this.anchor.dispatchEvent(new Event("input", { bubbles: true }));
                this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Say what it is about",
            trigger: "#crm_service_callback_message",
            run: "edit The printer shows error E42",
        },
        {
            content: "Send the request",
            trigger: "form.o_crm_service_callback_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The thank-you page gives a ten-digit acceptance number",
            trigger: ".o_crm_service_public_callback_done #crm_service_callback_number",
            run() {
                if (!/^\d{10}$/.test(this.anchor.textContent.trim())) {
                    throw new Error(`No acceptance number on the page: "${this.anchor.textContent}"`);
                }
            },
        },
    ],
});
