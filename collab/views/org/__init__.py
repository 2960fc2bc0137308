"""Organisation pages: the unit tree, positions, employees, periods and the Excel/CSV import.

HR admins read and write; auditors read (lists, tree, exports); other roles get 403. Views stay thin:
forms parse, services decide and write, selectors read. With htmx, the tree's forms open in a side panel
and a successful save reloads the tree; without JavaScript every form is a normal page. One module per
noun (`units`, `positions`, `employees`, `periods`, `imports`); `shared` holds the panel, form, confirm
and export helpers they all use.
"""
