{#-
    The staging of an ATP concordance (a year's lists of HS10 codes with their hitech code), the
    same for both flows: raw.atp_concordance (Schedule B, exports) and raw.import_concordance (HTS,
    imports) share their columns. A year may hold several lists (Schedule B and the HTS add codes in
    January and July): a code keeps the classification of the first list that has it (list_rank 1
    = the year's first list), and later lists only add the codes the earlier ones lack. One row per
    year x HS10 code; trade_flow is the literal `trade_flow` ('exports' or 'imports').
-#}
{% macro stage_concordance(source_table, trade_flow) -%}
with

source as (

    select * from {{ source('census', source_table) }}

),

ranked as (

    select
        *,
        row_number() over (partition by year, hs10_code order by list_rank, source_record) as rank_in_year
    from source

),

first_listed as (

    select * from ranked where rank_in_year = 1

),

renamed as (

    select
        -- ids
        '{{ trade_flow }}' as trade_flow,
        year,
        hs10_code,
        hitech_code,
        sitc_code,
        end_use_code,
        naics_code,
        usda_code,

        -- attributes
        description,
        short_description,
        unit_qty1 as quantity_1_unit,
        unit_qty2 as quantity_2_unit,
        years_ap as years_with_data,
        hitech_code between '01' and '10' and length(hitech_code) = 2 as is_atp,
        list_rank,

        -- lineage
        source_file,
        source_record,
        is_synthetic

    from first_listed

)

select * from renamed
{%- endmacro %}
