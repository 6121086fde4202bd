with

source as (

    select * from {{ source('census', 'countries') }}

),

renamed as (

    select
        -- ids
        year,
        cty_code,

        -- attributes
        cty_desc,
        cty_name,
        years_ap as years_with_data,
        {{ is_real_country('cty_code') }} as is_real_country,

        -- lineage
        source_file,
        source_record,
        is_synthetic

    from source

)

select * from renamed
