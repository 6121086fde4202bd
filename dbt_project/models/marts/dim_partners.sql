-- Every partner the marts know: each single country of the Census country lists (named as in
-- the latest list that holds it) and each partner group of the seed partner_groups. The member
-- countries of each partner are in dim_partner_members.

with

members as (

    select * from {{ ref('int_partner_members') }}

),

names_by_recency as (

    -- a partner's names, the latest year's first (a name appears in each of its years)
    select
        partner_code,
        partner_name,
        row_number() over (partition by partner_code order by year desc, partner_name) as recency_rank
    from members

),

latest_names as (

    select partner_code, partner_name from names_by_recency where recency_rank = 1

),

partners as (

    select
        partner_code,
        min(partner_kind) as partner_kind,
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
    partners.first_year,
    partners.last_year
from partners
inner join latest_names on partners.partner_code = latest_names.partner_code
