{#-
    True when a Schedule C code is a single country: four digits, first digit 1-9.
    Codes starting with 0 are Census groupings (0001 OPEC ... 0007 Advance Technology
    Products ... 0015 World NSA), see the Census country table notes. False (never null) for a
    null code.
-#}
{% macro is_real_country(column_name) -%}
    coalesce({{ is_digit_code(column_name, 4, first_digit_nonzero=true) }}, false)
{%- endmacro %}

{#-
    True when the string `column_name` is exactly `length` ASCII digits (the first one 1-9 when
    first_digit_nonzero), as the regular expression '^[0-9]{length}$' (or '^[1-9][0-9]{length-1}$')
    would say, in portable SQL: engines share no spelling of a regular-expression match. Each
    character is compared on its own, and a one-character string between '0' and '9' is an ASCII
    digit. Null for a null string.
-#}
{% macro is_digit_code(column_name, length, first_digit_nonzero=false) -%}
    ({{ dbt.length(column_name) }} = {{ length }}
    {%- for position in range(1, length + 1) %}
        and substring({{ column_name }}, {{ position }}, 1)
            between '{{ 1 if position == 1 and first_digit_nonzero else 0 }}' and '9'
    {%- endfor %})
{%- endmacro %}
