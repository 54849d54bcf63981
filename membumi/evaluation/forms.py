"""Forms: the answer to a follow-up (plan status, a Likert 1–5 radio group per item, comment)
and a program's follow-up policy. The services validate again (the API uses them too)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import rules
from .enums import PlanStatus


class AnswerForm(forms.Form):
    plan_status = forms.ChoiceField(
        label=_("The action plan is"),
        choices=PlanStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say whether the action plan is continuing, completed or stopped.")
        },
    )
    stop_reason = forms.CharField(
        label=_("Why did it stop?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the plan stopped: what got in the way?"),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what changed, what helped, what is still needed."),
    )

    def __init__(self, *args, follow_up, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = []
        for item in follow_up.items:
            name = f"rating_{item['code']}"
            label = rules.item_label(item["code"], item["text"])
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=[(value, f"{value} – {text}") for value, text in rules.LIKERT.items()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Rate this item.")},
            )
            self.items.append((item["code"], name))

    def clean(self):
        data = super().clean()
        # The service says the same; here it shows beside the other errors at once.
        if (
            data.get("plan_status") == PlanStatus.STOPPED
            and not data.get("stop_reason", "").strip()
        ):
            self.add_error("stop_reason", _("Say why the action plan stopped."))
        return data

    def rating_fields(self):
        return [self[name] for _code, name in self.items]

    def ratings(self) -> dict[str, int]:
        return {code: self.cleaned_data.get(name) for code, name in self.items}


def _items_text(items) -> str:
    return "\n".join(f"{item['code']}: {item['text']}" for item in items)


class PolicyForm(forms.Form):
    offsets = forms.CharField(
        label=_("Follow-ups, in months after the batch ends"),
        help_text=_("Whole numbers separated by commas, e.g. 3, 6, 12."),
        max_length=60,
    )
    window_days = forms.IntegerField(
        label=_("Days a form stays open"),
        min_value=rules.MIN_WINDOW_DAYS,
        max_value=rules.MAX_WINDOW_DAYS,
        help_text=_("Respondents who have not answered are reminded 7 and 14 days after it opens."),
    )
    items = forms.CharField(
        label=_("Behaviour-change items (rated 1–5)"),
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_(
            "One per line: a short code, a colon, then the statement, e.g. "
            "“uses_data: Uses data to make decisions”. The code names the item in reports and "
            "the API; keep it when you reword a statement."
        ),
    )

    @classmethod
    def initial_for(cls, policy) -> dict:
        return {
            "offsets": ", ".join(str(m) for m in policy.offsets),
            "window_days": policy.window_days,
            "items": _items_text(policy.labelled_items()),
        }

    def clean_offsets(self):
        parts = [p.strip() for p in self.cleaned_data["offsets"].replace(";", ",").split(",")]
        try:
            return [int(p) for p in parts if p]
        except ValueError as exc:
            raise forms.ValidationError(_("Give whole numbers of months, e.g. 3, 6, 12.")) from exc

    def clean_items(self):
        items = []
        for number, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not line.strip():
                continue
            code, sep, text = line.partition(":")
            if not sep:
                raise forms.ValidationError(
                    _("Line %(n)s: write “code: statement”.") % {"n": number}
                )
            items.append({"code": code.strip(), "text": text.strip()})
        return items
