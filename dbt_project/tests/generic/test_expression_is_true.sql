{#-
    Fails with every row where the SQL boolean `expression` is false or null.
    Usage (model or column level; the expression may name any column):
        data_tests:
          - expression_is_true:
              arguments:
                expression: "length(hs10_code) = 10"
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
