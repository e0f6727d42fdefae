"""大事要事: the year's plan of tasks and targets, read from the office's sheet and supervised
item by item. `sheet` and `cells` read the spreadsheet, `rules` holds the pure arithmetic of
progress, time and milestones, `views` shows it, `actions` loads and follows the plan (opening
transactions), `items` keeps each target's item in step, `keys` moves the 重点 mark, and
`records` holds the tasks and targets as storage reads them back."""
