{#-
    Fails (one row) when the model does not hold exactly `expected_row_count` rows.
    Under `dbt build --empty` every ref reads zero rows, so the check is skipped there.
    Usage (model level):
        data_tests:
          - has_row_count:
              arguments:
                expected_row_count: 10
-#}
{% test has_row_count(model, expected_row_count) %}

with

counted as (

    select count(*) as row_count
    from {{ model }}

)

select *
from counted
where row_count <> {{ expected_row_count }}
{%- if invocation_args_dict.get('empty') %}
    and false
{%- endif %}

{% endtest %}
