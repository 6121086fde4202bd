with

source as (

    select * from {{ source('census', 'atp_concordance') }}

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

        -- lineage
        source_file,
        source_record,
        is_synthetic

    from source

)

select * from renamed
