-- A year may hold several lists (Schedule B adds codes in January and July): a code keeps the
-- classification of the first list that has it (list_rank 1 = the year's first list), and
-- later lists only add the codes the earlier ones lack.

with

source as (

    select * from {{ source('census', 'atp_concordance') }}

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
