"""The hand-off after settlement (plan §十–§十五): the tasks a registered settlement or move, or an
issued residence permit, gives each department, and what each department may see of them (pure).

`tasks.py` works out which tasks a decision creates (§十 三权 and 计划生育, §十一 housing, §十二
medical insurance, §十三 pension and 低保, §十四 schooling, §十五 the permit holder's services), from
the task types of the policy file; `fields.py` is the purpose limit: a task's fields, projected
onto exactly the names its type declares.
"""
