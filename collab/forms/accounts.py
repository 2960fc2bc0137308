"""Forms of the accounts pages: adding and editing members, notification preferences.

Forms only parse and check input; the services decide and write. Employee records are chosen by
employee number (a text field, not a select of every employee) and looked up in the tenant in scope,
so another tenant's number reads as missing.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from collab.forms import StyledForm
from collab.forms.pickers import PickerTextInput
from collab.models import Employee, Notification, Role, UserProfile

User = get_user_model()


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", Role.choices)
        kwargs.setdefault("label", _("Roles"))
        kwargs.setdefault(
            "help_text",
            _("HR admins configure everything; auditors may read everything and change nothing."),
        )
        kwargs.setdefault("error_messages", {"required": _("Choose at least one role.")})
        super().__init__(**kwargs)


def _text(label, *, max_length=150, required=False, validators=(), **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=required,
        validators=[ProhibitNullCharactersValidator(), *validators], **kwargs,
    )


class EmployeeLinkMixin(StyledForm):
    employee_no = _text(
        _("Employee number"),
        max_length=50,
        help_text=_("Optional: link this member to their employee record, so role pages can show their unit."),  # noqa: E501
        widget=PickerTextInput("employee"),  # typed, with suggestions by name or number
    )

    def clean_employee_no(self) -> Employee | None:
        number = self.cleaned_data.get("employee_no", "").strip()
        if not number:
            return None
        employee = Employee.objects.filter(employee_no=number).first()
        if employee is None:
            raise forms.ValidationError(_("No employee has this number."))
        return employee


class MemberCreateForm(EmployeeLinkMixin):
    username = _text(_("User name"), required=True, validators=[UnicodeUsernameValidator()])
    first_name = _text(_("First name"))
    last_name = _text(_("Last name"))
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    password1 = forms.CharField(
        label=_("Initial password"), strip=False, max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"), strip=False, max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    roles = RolesField()

    field_order = [
        "username", "first_name", "last_name", "email", "password1", "password2", "roles", "employee_no",
    ]

    def clean_username(self) -> str:
        # Whether the name is free is the service's to say, last, once everything else is valid.
        return User.normalize_username(self.cleaned_data["username"].strip())

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            probe = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                validate_password(first, probe)
            except forms.ValidationError as weak:
                self.add_error("password1", weak)
        return cleaned


class MemberInviteForm(EmployeeLinkMixin):
    email = forms.EmailField(
        label=_("E-mail"), max_length=150,
        help_text=_("The invitation goes to this address; it also becomes the user name."),
    )
    first_name = _text(_("First name"))
    last_name = _text(_("Last name"))
    roles = RolesField()

    field_order = ["email", "first_name", "last_name", "roles", "employee_no"]


class MemberAddExistingForm(EmployeeLinkMixin):
    identifier = _text(
        _("User name or e-mail"), required=True,
        help_text=_(
            "Someone who already has an account, for example in another company. "
            "Their password stays as it is."
        ),
    )
    roles = RolesField()

    field_order = ["identifier", "roles", "employee_no"]


class MemberEditForm(EmployeeLinkMixin):
    roles = RolesField()

    field_order = ["roles", "employee_no"]


class NotificationPreferencesForm(StyledForm):
    """Two check boxes per category: in the app, by e-mail."""

    def __init__(self, *args, preferences: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for category, label in Notification.Category.choices:
            preference = preferences[category]
            in_app = forms.BooleanField(label=_("In the app"), required=False, initial=preference.in_app)
            email = forms.BooleanField(label=_("By e-mail"), required=False, initial=preference.email)
            in_app.widget.attrs["class"] = email.widget.attrs["class"] = "form-check-input"
            self.fields[f"{category}_in_app"] = in_app
            self.fields[f"{category}_email"] = email
            self.rows.append((category, label, f"{category}_in_app", f"{category}_email"))

    def bound_rows(self):
        return [(label, self[in_app], self[email]) for _category, label, in_app, email in self.rows]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {
            category: (self.cleaned_data[in_app], self.cleaned_data[email])
            for category, _label, in_app, email in self.rows
        }


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form (it mails only active accounts with a usable password, and says nothing either
    way). The e-mail is written in the recipient's language when they chose one, else the page's."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):  # fmt: skip
        chosen = UserProfile.objects.filter(user=context["user"]).values_list("language", flat=True).first()
        language = chosen if chosen in {code for code, _name in settings.LANGUAGES} else get_language()
        with override(language):
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email,
                html_email_template_name,
            )  # fmt: skip
