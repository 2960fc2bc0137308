"""Accounts: members, roles, invitations, the user's own preferences. Every write atomic and audited.

Members are `Membership` rows of the tenant in scope. A person is added in one of three ways:
`member_create` (a new account with an initial, temporary password the person must change at the first
log-in; a user name that is not available is refused without saying whether an account has it, and only
once everything else is valid), `member_invite` (a new account without a password and an e-mail with a
one-time link to set one — or, when the e-mail already has an account, the invitation below, with the
same answer) or `member_add_existing` (someone who already
has an account, e.g. in another tenant: they get an invitation and join when they accept it,
`member_invitation_accept`; until then nothing about the account shows here, and the HR admin gets the
same answer whether the account exists or not). The tenant must keep at
least one active HR admin: demoting or deactivating the last one is refused, and nobody deactivates
themselves or removes their own HR admin role (another HR admin does).

`preferences`: the user's own; `membership`: what every member change shares (roles, snapshots, the
last-HR-admin and not-yourself rules, notices); `adding`: the three ways in and invitations;
`changing`: update, deactivate, reactivate; `activation`: accepting an invitation link.
"""
