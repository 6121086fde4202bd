-- Regenerates the four CSVs of this folder from a warehouse built by `make run` on the bundled
-- sample (run in this folder): the China (5700) rows of the current marts under the column names
-- and scopes of the marts before the partner dimension (issue 10). See README.md.
--   ../../../.venv/bin/python -c "import duckdb; duckdb.connect('../../../warehouse/atp.duckdb', read_only=True).execute(open('regenerate.sql').read())"
copy (
    select year, hitech_code, group_name, partner_code as focus_cty_code,
           partner_value_usd as china_value_usd, rest_of_world_value_usd as row_value_usd, world_value_usd,
           partner_composition_share as china_composition_share,
           rest_of_world_composition_share as row_composition_share, gap_pp
    from fct_specialization_gaps where partner_code = '5700' and definition = 'as_published'
    order by year, hitech_code
) to 'mart_specialization_gaps.csv' (header);
copy (
    select * from (
        select year, 'china' as partner_scope, definition, hitech_code, group_name, partner_value_usd as value_usd,
               partner_yoy_growth as yoy_growth, partner_index_first_year_100 as index_first_year_100
        from fct_atp_growth where partner_code = '5700'
        union all
        select year, 'rest_of_world', definition, hitech_code, group_name, rest_of_world_value_usd,
               rest_of_world_yoy_growth, rest_of_world_index_first_year_100
        from fct_atp_growth where partner_code = '5700'
        union all
        select year, 'world', definition, hitech_code, group_name, world_value_usd, world_yoy_growth,
               world_index_first_year_100
        from fct_atp_growth where partner_code = '5700'
    ) order by year, partner_scope, definition, hitech_code
) to 'mart_atp_growth.csv' (header);
copy (
    select * from (
        select year, hitech_code, 'china' as partner_scope, group_name, fixed_definition,
               codes_added, partner_value_added_usd as value_added_usd,
               codes_dropped, partner_value_dropped_usd as value_dropped_usd,
               codes_moved_in, partner_value_moved_in_usd as value_moved_in_usd,
               codes_moved_out, partner_value_moved_out_usd as value_moved_out_usd,
               codes_renumbered, partner_value_renumbered_usd as value_renumbered_usd,
               codes_unlinked, partner_value_unlinked_usd as value_unlinked_usd,
               partner_as_published_value_usd as as_published_value_usd, partner_fixed_value_usd as fixed_value_usd,
               partner_reclassification_effect_usd as reclassification_effect_usd
        from fct_atp_reclassification where partner_code = '5700'
        union all
        select year, hitech_code, 'world', group_name, fixed_definition,
               codes_added, world_value_added_usd, codes_dropped, world_value_dropped_usd,
               codes_moved_in, world_value_moved_in_usd, codes_moved_out, world_value_moved_out_usd,
               codes_renumbered, world_value_renumbered_usd, codes_unlinked, world_value_unlinked_usd,
               world_as_published_value_usd, world_fixed_value_usd, world_reclassification_effect_usd
        from fct_atp_reclassification where partner_code = '5700'
    ) order by year, hitech_code, partner_scope
) to 'mart_atp_reclassification.csv' (header);
copy (
    select year, partner_code as cty_code, hitech_code, partner_name as cty_name, group_name,
           partner_value_usd as export_value_usd, world_value_usd as world_group_value_usd, partner_share,
           partner_atp_value_usd, composition_share
    from fct_partner_shares
    where partner_code = '5700' and definition = 'as_published' and partner_value_usd <> 0
    order by year, hitech_code
) to 'mart_partner_shares.csv' (header);
