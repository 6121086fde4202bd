{#-
    The staging of a code-change concordance, the same for both flows: raw.hs10_code_changes
    (hs10_changes.csv, Schedule B codes, exports) and raw.import_code_changes (hts10_changes.csv,
    HTS codes, imports) share their layout. One row per old code -> new code link; trade_flow is
    the literal `trade_flow` ('exports' or 'imports').
-#}
{% macro stage_code_changes(source_table, trade_flow) -%}
with

source as (

    select * from {{ source('census', source_table) }}

),

renamed as (

    select
        -- ids
        '{{ trade_flow }}' as trade_flow,
        old_hs10_code,
        new_hs10_code,

        -- dates
        first_year,

        -- lineage
        source_file,
        source_record,
        is_synthetic

    from source

)

select * from renamed
{%- endmacro %}
