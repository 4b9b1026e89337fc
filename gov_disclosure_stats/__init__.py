"""gov_disclosure_stats: the statistical tables of 政府信息公开工作年度报告, loaded and checked."""
