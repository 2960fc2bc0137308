"""The technology company's goals plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from goals.models import ProcessTag

if TYPE_CHECKING:
    pass
from goals.demo.mining import _mining_plan
from goals.demo.plans import HIGHER, LOWER, SUM, GoalPlan, GoalsPlan, KpiPlan, ObjectivePlan, P


def _tech_plan() -> GoalsPlan:
    objectives = [
        ObjectivePlan("margin", P.FINANCIAL, "Raise the profit margin", "TEC", "利润率"),
        ObjectivePlan("cash", P.FINANCIAL, "Collect cash faster", "TEC-FIN", "应收账款周转"),
        ObjectivePlan("satisfaction", P.CUSTOMER, "Raise customer satisfaction", "TEC-CS", "客户满意度"),
        ObjectivePlan("retention", P.CUSTOMER, "Keep and grow key customers", "TEC-SAL", "客户留存率"),
        ObjectivePlan("delivery", P.INTERNAL_PROCESS, "Deliver projects on time", "TEC-DLV", "按期交付"),
        ObjectivePlan("stability", P.INTERNAL_PROCESS, "Run a stable product", "TEC-RND", "产品稳定性"),
        ObjectivePlan("service", P.INTERNAL_PROCESS, "Resolve service requests fast", "TEC-CS", "服务响应"),
        ObjectivePlan("talent", P.LEARNING_GROWTH, "Hire and grow key talent", "TEC-HR", "关键人才"),
    ]
    links = [
        ("stability", "satisfaction"),
        ("service", "satisfaction"),
        ("delivery", "satisfaction"),
        ("satisfaction", "retention"),
        ("retention", "margin"),
        ("cash", "margin"),
        ("talent", "delivery"),
    ]
    pt = ProcessTag
    kpis = [
        KpiPlan("FIN-MARGIN", "Profit margin", "%", HIGHER, P.FINANCIAL, "TEC", "margin", "18", 0.94,
                description="利润率", data_source="Monthly P&L"),
        KpiPlan("FIN-OPEX", "Operating expense ratio", "%", LOWER, P.FINANCIAL, "TEC-FIN", "margin", "22",
                1.04, description="费用率", data_source="Monthly P&L"),
        KpiPlan("SALES-REV", "Revenue", "k CNY", HIGHER, P.FINANCIAL, "TEC-SAL", "margin", "1200", 1.05,
                aggregation=SUM, process=pt.LEAD_TO_CASH, decimals=0, description="销售额",
                data_source="CRM"),
        KpiPlan("AR-DSO", "Days sales outstanding", "days", LOWER, P.FINANCIAL, "TEC-FIN", "cash", "45", 0.90,
                collaborative=True, process=pt.ORDER_TO_CASH, description="应收账款周转天数",
                data_source="ERP receivables"),
        KpiPlan("CUST-RET", "Customer retention rate", "%", HIGHER, P.CUSTOMER, "TEC-SAL", "retention", "90",
                0.93, collaborative=True, process=pt.LEAD_TO_CASH, description="客户留存率",
                data_source="CRM"),
        KpiPlan("KA-RENEW", "Key-account renewal rate", "%", HIGHER, P.CUSTOMER, "TEC-SAL", "retention", "90",
                0.95, collaborative=True, process=pt.LEAD_TO_CASH, description="大客户续约率",
                data_source="CRM"),
        KpiPlan("KA-RATIO", "Renewal ratio", "%", HIGHER, P.CUSTOMER, "TEC-SAL", "retention", "80", 1.08,
                description="续约比例", data_source="CRM"),
        KpiPlan("CS-CSAT", "Customer satisfaction", "%", HIGHER, P.CUSTOMER, "TEC-CS", "satisfaction", "88",
                1.02, collaborative=True, description="满意度", data_source="Survey tool"),
        KpiPlan("CS-COMPLAINT", "Complaint rate", "%", LOWER, P.CUSTOMER, "TEC-CS", "satisfaction", "2", 0.76,
                description="投诉率", data_source="Ticketing system"),
        KpiPlan("DLV-MILESTONE", "Milestone on-time rate", "%", HIGHER, P.INTERNAL_PROCESS, "TEC-DLV",
                "delivery", "90", 1.05, collaborative=True, process=pt.DEMAND_TO_DELIVERY,
                description="里程碑准时率", data_source="Project tracker"),
        KpiPlan("DLV-ACCEPT", "Acceptance pass rate", "%", HIGHER, P.INTERNAL_PROCESS, "TEC-DLV", "delivery",
                "92", 0.96, process=pt.DEMAND_TO_DELIVERY, description="验收通过率",
                data_source="Project tracker"),
        KpiPlan("RD-INCIDENTS", "Major incidents", "count", LOWER, P.INTERNAL_PROCESS, "TEC-RND", "stability",
                "2", 0.72, aggregation=SUM, decimals=0, description="重大故障数",
                data_source="Incident log"),
        KpiPlan("RD-AVAIL", "Service availability", "%", HIGHER, P.INTERNAL_PROCESS, "TEC-RND", "stability",
                "99.5", 1.002, description="产品稳定性", data_source="Monitoring"),
        KpiPlan("CS-RESPONSE", "Ticket response time", "hours", LOWER, P.INTERNAL_PROCESS, "TEC-CS",
                "service", "4", 1.10, description="工单响应时间", data_source="Ticketing system"),
        KpiPlan("CS-FCR", "First-contact resolution rate", "%", HIGHER, P.INTERNAL_PROCESS, "TEC-CS",
                "service", "75", 0.90, description="一次解决率", data_source="Ticketing system"),
        KpiPlan("HR-TTH", "Time to hire for key roles", "days", LOWER, P.LEARNING_GROWTH, "TEC-HR", "talent",
                "45", 0.70, collaborative=True, process=pt.HIRE_TO_ONBOARD, description="关键岗位招聘周期",
                data_source="ATS"),
        KpiPlan("HR-TRAIN", "Training hours per employee", "hours", HIGHER, P.LEARNING_GROWTH, "TEC-HR",
                "talent", "4", None, description="人均培训学时 (LMS not connected yet: no data)"),
    ]
    G = GoalPlan
    tree = [
        G("TEC", "CUST-RET", 25, children=(
            G("TEC-SAL", "KA-RENEW", 50, children=(
                G("TEC-SAL-T1", "KA-RATIO", 60, children=(
                    G("TEC-SAL-T1", "KA-RATIO", 100, position="Key Account Manager"),
                )),
                G("TEC-SAL-T2", "SALES-REV", 40),
            )),
            G("TEC-CS", "CS-CSAT", 30, children=(
                G("TEC-CS-T1", "CS-RESPONSE", 50, children=(
                    G("TEC-CS-T1", "CS-RESPONSE", 60, position="Customer Service Agent"),
                    G("TEC-CS-T1", "CS-FCR", 40, position="Customer Service Agent"),
                )),
                G("TEC-CS-T2", "CS-FCR", 50),
            )),
            G("TEC-RND", "RD-INCIDENTS", 20, children=(
                G("TEC-RND-T1", "RD-AVAIL", 60),
                G("TEC-RND-T3", "RD-INCIDENTS", 40),
            )),
        )),
        G("TEC", "FIN-MARGIN", 30, children=(
            G("TEC-SAL", "SALES-REV", 40),
            G("TEC-DLV", "DLV-MILESTONE", 35, children=(G("TEC-DLV-T1", "DLV-ACCEPT", 100),)),
            G("TEC-FIN", "FIN-OPEX", 25),
        )),
        G("TEC", "AR-DSO", 15, children=(G("TEC-FIN", "AR-DSO", 60), G("TEC-SAL", "AR-DSO", 40))),
        G("TEC", "CS-CSAT", 15, children=(
            G("TEC-CS", "CS-COMPLAINT", 60), G("TEC-DLV", "DLV-MILESTONE", 40),
        )),
        G("TEC", "HR-TTH", 15, children=(
            G("TEC-HR", "HR-TTH", 70, children=(G("TEC-HR", "HR-TTH", 100, position="Recruiter"),)),
            G("TEC-HR", "HR-TRAIN", 30),
        )),
    ]
    return GoalsPlan(objectives=objectives, links=links, kpis=kpis, tree=tree)


GOALS_PLANS: dict[str, Callable[[], GoalsPlan]] = {"mining": _mining_plan, "tech": _tech_plan}
