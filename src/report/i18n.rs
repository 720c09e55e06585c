//! The report's words in Chinese and English.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Language of the report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// Simplified Chinese (default).
    #[default]
    Zh,
    /// English.
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            other => Err(format!("`{other}`: zh or en")),
        }
    }
}

/// (key, Chinese, English).
const WORDS: &[(&str, &str, &str)] = &[
    ("title", "顾客反馈日报", "Customer feedback report"),
    ("period", "报告期", "Period"),
    ("previous", "上一期", "previous period"),
    ("records", "反馈条数", "Records"),
    ("junk", "无效反馈占比", "Junk share"),
    ("index", "净情感指数", "Net sentiment"),
    ("index_help", "（正面 − 负面）/ 有效反馈 × 100", "(positive − negative) / valid records × 100"),
    ("vs_prev", "较上一期", "vs previous period"),
    ("issues", "问题", "Issues"),
    ("red", "红", "red"),
    ("yellow", "黄", "yellow"),
    ("green", "绿", "green"),
    ("grey", "样本不足", "too few records"),
    ("no_issues", "本期没有发现问题。", "No issues in this period."),
    ("more_issues", "另有 {n} 个问题未列出。", "{n} more issues not listed."),
    ("reports", "条反馈", "reports"),
    ("expected", "预期", "expected"),
    ("count", "实际", "reports"),
    ("stores", "门店", "Stores"),
    ("regions", "区域", "Regions"),
    ("examples", "示例", "Examples"),
    ("praise", "表扬", "praise"),
    ("complaints", "投诉", "complaints"),
    ("topics", "话题", "Topics"),
    ("topics_complaints", "各话题投诉趋势", "Complaints per topic per day"),
    ("topics_praise", "各话题表扬趋势", "Praise per topic per day"),
    ("daily", "每日反馈量与净情感", "Records and net sentiment per day"),
    ("top_topics", "主要投诉话题", "Top complaint topics"),
    ("topic", "话题", "Topic"),
    ("share", "占比", "Share"),
    ("change", "变化（百分点）", "Change (points)"),
    ("scorecard", "门店记分卡", "Store scorecard"),
    ("rollup", "区域汇总", "Region rollup"),
    ("store", "门店", "Store"),
    ("region", "区域", "Region"),
    ("city", "城市", "City"),
    ("manager", "店长", "Manager"),
    ("complaint_share", "投诉占比", "Complaint share"),
    ("per_k", "每千单投诉", "Complaints per 1,000 orders"),
    ("filter", "筛选门店、区域…", "Filter stores, regions…"),
    ("only_flagged", "只看红黄", "Only red/yellow"),
    ("legend", "单元格：该话题投诉占本店有效反馈的比例，按标准着色（绝对值及较本店基线的变化）。点击表头排序，点击门店或话题查看反馈。", "Cells: the topic's share of the store's valid records, coloured against the standards (absolute and change against the store's own baseline). Click a header to sort, a store or topic to see its records."),
    ("tickets", "待办工单", "Open tickets"),
    ("no_tickets", "没有未关闭的工单。", "No open tickets."),
    ("ticket", "工单", "Ticket"),
    ("severity", "级别", "Severity"),
    ("level", "层级", "Level"),
    ("scope", "范围", "Scope"),
    ("opened", "创建", "Opened"),
    ("due", "截止", "Due"),
    ("status", "状态", "Status"),
    ("summary", "摘要", "Summary"),
    ("open", "处理中", "open"),
    ("overdue", "已超时", "overdue"),
    ("drill", "反馈明细", "Records"),
    ("drill_hint", "点击问题、门店或话题查看对应反馈。", "Click an issue, a store or a topic to list its records."),
    ("id", "编号", "Id"),
    ("time", "时间", "Time"),
    ("text", "内容", "Text"),
    ("sentiment", "情感", "Sentiment"),
    ("close", "关闭", "Close"),
    ("shown", "本报告内含 {n} 条反馈用于明细查看（共 {m} 条本期有效反馈；问题相关与负面反馈优先）。", "This report holds {n} records for drill-down ({m} valid records in the period; issue and negative records first)."),
    ("none", "无", "none"),
    ("generated", "由 fankui 生成", "Made by fankui"),
    ("more_rows", "仅显示前 {n} 条", "first {n} shown"),
];

impl Lang {
    /// Every word of the page in this language.
    pub(crate) fn strings(self) -> BTreeMap<&'static str, &'static str> {
        WORDS.iter().map(|(k, zh, en)| (*k, if self == Lang::Zh { *zh } else { *en })).collect()
    }

    /// A topic's name.
    pub(crate) fn topic(self, topic: &str) -> String {
        match self {
            Lang::Zh => match topic {
                crate::classify::OTHER => "其他".to_string(),
                t => crate::issues::naming::topic_label(t).to_string(),
            },
            Lang::En => topic.replace('_', " "),
        }
    }
}
