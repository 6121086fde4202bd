{#-
    True when a Schedule C code is a single country: four digits, first digit 1-9.
    Codes starting with 0 are Census groupings (0001 OPEC ... 0007 Advance Technology
    Products ... 0015 World NSA), see the Census country table notes.
-#}
{% macro is_real_country(column_name) -%}
    coalesce(regexp_full_match({{ column_name }}, '^[1-9][0-9]{3}$'), false)
{%- endmacro %}
