-- Every partner the marts know: each single country of the Census country lists (named as in
-- the latest list that holds it) and each partner group of the seed partner_groups.

with

members as (

    select * from {{ ref('int_partner_members') }}

),

latest_names as (

    select partner_code, arg_max(partner_name, year) as partner_name
    from members
    group by partner_code

),

partners as (

    select
        partner_code,
        min(partner_kind) as partner_kind,
        string_agg(distinct cty_code, ' ' order by cty_code) as member_cty_codes,
        min(year) as first_year,
        max(year) as last_year
    from members
    group by partner_code

)

select
    -- ids
    partners.partner_code,

    -- attributes
    latest_names.partner_name,
    partners.partner_kind,
    partners.member_cty_codes,
    partners.first_year,
    partners.last_year
from partners
inner join latest_names on partners.partner_code = latest_names.partner_code
