{#-
    Fails with one row per group whose fractions do not add up to 1 within `tolerance`.
    Groups where every value is null (denominator 0) are skipped.
    Usage (column level):
        data_tests:
          - sums_to_one:
              arguments:
                group_by: [year, cty_code]
                tolerance: 0.000001
-#}
{% test sums_to_one(model, column_name, group_by, tolerance=0.000001) %}

with

grouped as (

    select
        {{ group_by | join(', ') }},
        sum({{ column_name }}) as total_fraction
    from {{ model }}
    group by {{ group_by | join(', ') }}
    having count({{ column_name }}) > 0

)

select *
from grouped
where abs(total_fraction - 1) > {{ tolerance }}

{% endtest %}
